import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The renderer: built into dist-renderer/, served by `pdw serve` or loaded by Electron.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [svelte()],
  build: { outDir: '../dist-renderer', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
