// Builds the cockpit page into ../wwwroot: the page's own files as they are (plain ES modules, no
// bundler) and the ECharts ES module from node_modules. Nothing is fetched at run time.
import { cpSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'wwwroot');
const echarts = join(here, 'node_modules', 'echarts');
const version = JSON.parse(readFileSync(join(echarts, 'package.json'), 'utf8')).version;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'lib'), { recursive: true });
cpSync(join(here, 'src'), out, { recursive: true });
cpSync(join(echarts, 'dist', 'echarts.esm.min.mjs'), join(out, 'lib', 'echarts.esm.min.js'));
cpSync(join(echarts, 'LICENSE'), join(out, 'lib', 'echarts.LICENSE.txt'));
writeFileSync(join(out, '.built'), `echarts ${version}\n`);
console.log(`cockpit page built into ${out} (echarts ${version})`);
