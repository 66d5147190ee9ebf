#!/usr/bin/env node
import '../dist/cmd/karmada/main.js';
