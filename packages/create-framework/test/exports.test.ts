import { runtimeExports, typeExports } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';

const packageDir = new URL('..', import.meta.url);

// Every public name of the package: a rename or a removal changes this snapshot, so it shows in
// review as a decision.
describe('public exports of create-framework', () => {
  it('lists the runtime exports', async () => {
    expect(await runtimeExports(packageDir)).toMatchInlineSnapshot(`
      {
        ".": [
          "BATTERIES",
          "CREATE_ERROR_CODES",
          "CreateError",
          "FRAMEWORK_PACKAGES",
          "TEMPLATES",
          "USAGE",
          "createProject",
          "detectPackageManager",
          "frameworkVersions",
          "installDependencies",
          "parseCommandLine",
          "run",
        ],
      }
    `);
  });

  it('lists the type-only exports', () => {
    expect(typeExports(packageDir)).toMatchInlineSnapshot(`
      {
        ".": [
          "BatteryName",
          "CommandLine",
          "CreateErrorCode",
          "CreatedProject",
          "FrameworkPackage",
          "FrameworkVersions",
          "InstallOptions",
          "PackageManager",
          "ProjectOptions",
          "RunContext",
          "TemplateName",
        ],
      }
    `);
  });
});
