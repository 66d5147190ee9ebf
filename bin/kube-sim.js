#!/usr/bin/env node
import '../dist/cmd/kube-sim/main.js';
