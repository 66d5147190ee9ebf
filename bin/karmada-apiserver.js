#!/usr/bin/env node
import '../dist/cmd/karmada-apiserver/main.js';
