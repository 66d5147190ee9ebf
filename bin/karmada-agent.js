#!/usr/bin/env node
import '../dist/cmd/karmada-agent/main.js';
