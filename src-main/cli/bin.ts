import { runCli } from './main.js';

// a command may set its own exit code (130 for a cancelled screen, 1 for skipped formulas); an error wins
const code = await runCli(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
