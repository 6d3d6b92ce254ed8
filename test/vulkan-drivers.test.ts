// Whether a Vulkan driver may be installed (src/gpu/vulkan-drivers.ts), so that dawn.node is not
// asked for an adapter it cannot have: every folder and variable any loader reads, searched as a
// union (never a "no" where one loader would say yes); empty XDG variables count as unset.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverSearchPaths, vulkanDriverFound } from '../src/gpu/vulkan-drivers.js';

const TMP = mkdtempSync(join(tmpdir(), 'capseal-vk-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const manifestIn = (root: string): string => {
  const dir = join(TMP, root, 'vulkan', 'icd.d');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'gpu_icd.json'), '{}');
  return dir;
};
const withDriver = manifestIn('with');
const emptyHome = join(TMP, 'home');
mkdirSync(join(TMP, 'empty'));
/** Only what a test names is searched: no system folders, a home with nothing in it. */
const found = (env: NodeJS.ProcessEnv, home = emptyHome) => vulkanDriverFound(env, home, []);

describe('the Vulkan driver search', () => {
  it('covers the XDG config and data folders with their defaults, the system folders and every driver variable', () => {
    const paths = driverSearchPaths({ XDG_DATA_DIRS: '/opt/a:/opt/b', XDG_CONFIG_DIRS: '/opt/c', VK_ADD_DRIVER_FILES: '/opt/x.json', VK_DRIVER_FILES: '/opt/y.json', VK_ICD_FILENAMES: '/opt/z.json' }, '/home/u');
    expect(paths).toEqual(expect.arrayContaining([
      '/opt/x.json', '/opt/y.json', '/opt/z.json', '/home/u/.config/vulkan/icd.d', '/opt/c/vulkan/icd.d', '/etc/xdg/vulkan/icd.d', '/etc/vulkan/icd.d',
      '/home/u/.local/share/vulkan/icd.d', '/opt/a/vulkan/icd.d', '/opt/b/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d',
      '/run/opengl-driver/share/vulkan/icd.d',
    ]));
    expect(driverSearchPaths({ XDG_DATA_HOME: '/d', XDG_CONFIG_HOME: '/c' }, '/home/u')).toEqual(expect.arrayContaining(['/d/vulkan/icd.d', '/c/vulkan/icd.d']));
    // Empty is unset: the defaults, never a path relative to the working folder.
    const empty = driverSearchPaths({ XDG_DATA_HOME: '', XDG_CONFIG_HOME: '' }, '/home/u');
    expect(empty).toEqual(expect.arrayContaining(['/home/u/.config/vulkan/icd.d', '/home/u/.local/share/vulkan/icd.d']));
    expect(empty.every((p) => p.startsWith('/'))).toBe(true);
  });

  it('finds a manifest in any searched folder, and nothing where there is none', () => {
    expect(found({})).toBe(false);
    expect(found({ XDG_DATA_HOME: join(TMP, 'with') })).toBe(true);
    expect(found({ XDG_DATA_DIRS: `/nonexistent:${join(TMP, 'with')}` })).toBe(true);
    expect(vulkanDriverFound({}, emptyHome, [join(TMP, 'with')])).toBe(true);
    expect(found({}, join(TMP, 'h'))).toBe(false);
    manifestIn(join('h', '.config'));
    expect(found({}, join(TMP, 'h'))).toBe(true);
  });

  it('a manifest named by any variable, as a file or a folder, counts; a named file that is missing or an empty folder does not', () => {
    expect(found({ VK_DRIVER_FILES: '/nonexistent/icd.json', VK_ICD_FILENAMES: join(TMP, 'empty') })).toBe(false);
    expect(found({ VK_ICD_FILENAMES: `/nonexistent.json:${join(withDriver, 'gpu_icd.json')}` })).toBe(true);
    expect(found({ VK_DRIVER_FILES: withDriver })).toBe(true);
    expect(found({ VK_DRIVER_FILES: '/nonexistent.json', VK_ICD_FILENAMES: withDriver })).toBe(true); // an older loader reads only this one
    expect(found({ VK_ADD_DRIVER_FILES: withDriver })).toBe(true);
  });
});
