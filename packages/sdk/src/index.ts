/**
 * `pipeshub`: TypeScript client of the PipesHub user-account API, for sign-in through an
 * organisation's own OAuth 2.0 / OpenID Connect provider.
 *
 * @packageDocumentation
 */
export { DEFAULT_TIMEOUT_MS, Pipeshub, SDK_VERSION, type PipeshubOptions } from "./client.ts";
export type { FetchLike, RequestOptions } from "./http.ts";
export {
  OAuth,
  type AuthorizationUrlRequest,
  type AuthorizationUrlResponse,
  type ExchangeCodeRequest,
  type OAuthExchangeResponse,
} from "./oauth.ts";
export {
  UserAccount,
  type AllowedMethod,
  type AuthMethodName,
  type AuthProviders,
  type AuthenticateFinal,
  type AuthenticateNextStep,
  type AuthenticateRequest,
  type AuthenticateResponse,
  type InitAuthRequest,
  type InitAuthResponse,
  type UnavailableProvider,
  type OAuthProviderPublicConfig,
  type RefreshTokenResponse,
  type RefreshTokenUser,
} from "./user-account.ts";
export {
  Admin,
  type AuditPage,
  type AuditRecord,
  type AuthStep,
  type CreateOrgRequest,
  type CreateUserRequest,
  type DoctorFinding,
  type DoctorFindingStatus,
  type HealthBucket,
  type HealthWindow,
  type ListAuditRequest,
  type OAuthProviderSettings,
  type OAuthProviderSettingsInput,
  type NewSetupLink,
  type ProviderPreset,
  type Org,
  type OrgUser,
  type UserRole,
  type UserStatus,
  type ProviderChange,
  type ProviderCheck,
  type ProviderEvent,
  type ProviderHealth,
  type ProviderDoctorReport,
  type SavedProvider,
  type SetupLink,
  type SetupSession,
  type TestSignInDecision,
  type TestSignInResult,
  type TestSignInStart,
  type TokenEndpointAuthMethod,
} from "./admin.ts";
export {
  APIError,
  AuthError,
  AuthenticationError,
  CONNECT_FAILURE_CODES,
  ConflictError,
  ConnectionError,
  type FailureId,
  NotFoundError,
  PermissionError,
  PipeshubDefaultError,
  PipeshubError,
  RateLimitError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseValidationError,
  ServiceUnavailableError,
} from "./errors.ts";
export {
  DEFAULT_BACKOFF,
  DEFAULT_RETRY_CONFIG,
  JITTER_RATIO,
  NOT_PROCESSED_STATUSES,
  RETRYABLE_STATUSES,
  parseRetryAfter,
  retryDelay,
  shouldRetry,
  type BackoffStrategy,
  type RetriedOperation,
  type RetryConfig,
  type RetryDelayInput,
} from "./retry.ts";
export type { JsonObject } from "./validate.ts";
