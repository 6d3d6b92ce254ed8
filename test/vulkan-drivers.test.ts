// Whether the Vulkan loader has a driver (src/gpu/vulkan-drivers.ts), so that dawn.node is not asked
// for an adapter it cannot have: the loader's search folders from the environment, and the forced
// lists (VK_DRIVER_FILES, VK_ICD_FILENAMES) that replace the search.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverSearchPaths, vulkanDriverFound } from '../src/gpu/vulkan-drivers.js';

const TMP = mkdtempSync(join(tmpdir(), 'capseal-vk-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const icd = join(TMP, 'with', 'vulkan', 'icd.d');
mkdirSync(icd, { recursive: true });
writeFileSync(join(icd, 'gpu_icd.json'), '{}');
mkdirSync(join(TMP, 'empty'));

describe('the Vulkan loader\'s driver search', () => {
  it('searches vulkan/icd.d under the XDG config and data folders, their defaults and /etc, plus VK_ADD_DRIVER_FILES', () => {
    const paths = driverSearchPaths({ XDG_DATA_DIRS: '/opt/a:/opt/b', XDG_CONFIG_DIRS: '/opt/c', VK_ADD_DRIVER_FILES: '/opt/x.json' }, '/home/u');
    expect(paths).toEqual(expect.arrayContaining([
      '/opt/x.json', '/home/u/.config/vulkan/icd.d', '/opt/c/vulkan/icd.d', '/etc/xdg/vulkan/icd.d', '/etc/vulkan/icd.d',
      '/home/u/.local/share/vulkan/icd.d', '/opt/a/vulkan/icd.d', '/opt/b/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d',
    ]));
    expect(driverSearchPaths({ XDG_DATA_HOME: '/d', XDG_CONFIG_HOME: '/c' }, '/home/u')).toEqual(expect.arrayContaining(['/d/vulkan/icd.d', '/c/vulkan/icd.d']));
  });

  it('finds a manifest in a searched folder', () => {
    expect(vulkanDriverFound({ XDG_DATA_HOME: join(TMP, 'with') }, TMP)).toBe(true);
  });

  it('VK_DRIVER_FILES (or VK_ICD_FILENAMES) replaces the search: only the files and folders it names count', () => {
    const home = join(TMP, 'with'); // a searched folder that holds a manifest, ignored when forced
    expect(vulkanDriverFound({ XDG_DATA_HOME: home, VK_DRIVER_FILES: '/nonexistent/icd.json' }, TMP)).toBe(false);
    expect(vulkanDriverFound({ XDG_DATA_HOME: home, VK_ICD_FILENAMES: join(TMP, 'empty') }, TMP)).toBe(false);
    expect(vulkanDriverFound({ VK_ICD_FILENAMES: `/nonexistent.json:${join(icd, 'gpu_icd.json')}` }, TMP)).toBe(true);
    expect(vulkanDriverFound({ VK_DRIVER_FILES: icd }, TMP)).toBe(true);
    expect(vulkanDriverFound({ VK_DRIVER_FILES: '/nonexistent.json', VK_ADD_DRIVER_FILES: icd }, TMP)).toBe(true);
  });
});
