// electron-builder afterPack hook: flips Electron's fuses in the packaged binary, so a shipped app
// cannot be turned into a general Node runtime or inspected from the command line, loads its code
// only from its (integrity-checked) archive, and encrypts its cookies. tests/packaging.test.ts checks
// that electron-builder.yml names this hook.
const { join } = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** The fuses, as the packaging test reads them. */
const FUSES = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableCookieEncryption: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
};

exports.FUSES = FUSES;
exports.default = async function afterPack(context) {
  const suffix = { darwin: '.app', win32: '.exe' }[context.electronPlatformName] ?? '';
  const executable = join(context.appOutDir, `${context.packager.appInfo.productFilename}${suffix}`);
  const settings = { version: FuseVersion.V1 };
  for (const [name, value] of Object.entries(FUSES)) settings[FuseV1Options[name]] = value;
  await flipFuses(context.electronPlatformName === 'linux' ? join(context.appOutDir, context.packager.executableName) : executable, settings);
};
