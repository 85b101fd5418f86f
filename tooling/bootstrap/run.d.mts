/** The Node version the toolchain runs on when the Node on PATH is older than 22. */
export declare const NODE_VERSION: string;
/** The Node 20 version core is tested on (uWebSockets.js loads only on Node 20 here). */
export declare const NODE20_VERSION: string;
/** Returns the path of a Node binary of `version`, fetching it from the npm registry when missing. */
export declare function ensureNode(version: string): string;
