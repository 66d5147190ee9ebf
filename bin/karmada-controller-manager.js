#!/usr/bin/env node
import '../dist/cmd/karmada-controller-manager/main.js';
