#!/usr/bin/env node
import '../dist/cmd/karmadactl/main.js';
