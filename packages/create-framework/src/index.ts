// Running the command
export type { CommandLine } from './args.ts';
export { parseCommandLine, USAGE } from './args.ts';
export type { RunContext } from './cli.ts';
export { run } from './cli.ts';
// Writing and installing a project
export type { BatteryName, CreatedProject, ProjectOptions, TemplateName } from './create-project.ts';
export { BATTERIES, createProject, TEMPLATES } from './create-project.ts';
// Errors
export type { CreateErrorCode } from './errors.ts';
export { CREATE_ERROR_CODES, CreateError } from './errors.ts';
export type { InstallOptions } from './install.ts';
export { installDependencies } from './install.ts';
export type { PackageManager } from './package-manager.ts';
export { detectPackageManager } from './package-manager.ts';
// Versions of the framework packages
export type { FrameworkPackage, FrameworkVersions } from './versions.ts';
export { FRAMEWORK_PACKAGES, frameworkVersions } from './versions.ts';
