#!/usr/bin/env node
import '../dist/cmd/karmada-scheduler/main.js';
