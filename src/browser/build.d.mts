// Types of build.mjs (plain JavaScript, so Node runs it without a TypeScript step).
import type { Plugin, InlineConfig } from 'vite';

export declare const BROWSER_TWINS: Record<string, string>;
export declare const DEPENDENCY_BROWSER_BUILDS: Record<string, string>;
export declare function browserOnly(): Plugin;
export declare const packageVersion: string;
export declare const browserViteConfig: InlineConfig;
export declare function buildBrowserBundle(outDir?: string): Promise<string>;
export declare const BUNDLE_FILES: string[];
