// The little of autocannon, Express, passport and passport-oauth2 the benchmark uses, typed
// here: none of them ships its own declarations, and the peer is meant to be plain defaults.

declare module "autocannon" {
  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
    total: number;
  }
  export interface Result {
    requests: Histogram;
    latency: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    "2xx": number;
  }
  export interface RequestSpec {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (request: RequestSpec) => RequestSpec;
  }
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    timeout?: number;
    requests?: RequestSpec[];
  }
  export interface Instance extends PromiseLike<Result> {
    stop(): void;
  }
  function autocannon(options: Options): Instance;
  export default autocannon;
}

declare module "express" {
  import type { IncomingMessage, Server, ServerResponse } from "node:http";
  export interface Request extends IncomingMessage {
    body: unknown;
    query: Record<string, unknown>;
    user?: unknown;
  }
  export interface Response extends ServerResponse {
    status(code: number): Response;
    json(body: unknown): Response;
  }
  export type Handler = (req: Request, res: Response, next: (error?: unknown) => void) => void;
  export interface Application {
    use(...handlers: Handler[]): Application;
    post(path: string, ...handlers: Handler[]): Application;
    listen(port: number, host: string, ready: () => void): Server;
  }
  interface Express {
    (): Application;
    json(): Handler;
  }
  const express: Express;
  export default express;
}

declare module "passport" {
  import type { Handler } from "express";
  interface Passport {
    use(name: string, strategy: unknown): Passport;
    initialize(): Handler;
    authenticate(name: string, options: { session: boolean }): Handler;
  }
  const passport: Passport;
  export default passport;
}

declare module "passport-oauth2" {
  interface OAuth2Client {
    useAuthorizationHeaderforGET(use: boolean): void;
    get(url: string, accessToken: string, callback: (error: unknown, body?: string) => void): void;
  }
  interface StrategyOptions {
    authorizationURL: string;
    tokenURL: string;
    clientID: string;
    clientSecret: string;
    callbackURL: string;
    state?: boolean;
  }
  type Verify = (
    accessToken: string,
    refreshToken: string,
    params: Record<string, unknown>,
    profile: unknown,
    done: (error: unknown, user?: unknown) => void,
  ) => void;
  class OAuth2Strategy {
    constructor(options: StrategyOptions, verify: Verify);
    _oauth2: OAuth2Client;
    userProfile(accessToken: string, done: (error: unknown, profile?: unknown) => void): void;
  }
  export default OAuth2Strategy;
}
