/** The oldest Node the project runs on, as [major, minor]. */
export declare const MINIMUM_NODE: readonly [number, number];
/** Whether `version` ("v22.18.0" or "22.18.0") is at least MINIMUM_NODE. */
export declare function isSupportedNode(version: string): boolean;
/** Runs `task` ("start", "test" or "cli") with `args` under a supported Node. */
export declare function launch(task: string, args: readonly string[]): Promise<void>;
