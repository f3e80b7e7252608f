/** A tenant of the service: its users sign in through its own providers. */
export interface Organisation {
  readonly id: string;
  readonly name: string;
  /** Email domains the organisation claims: their addresses sign in to it, and only they are provisioned. */
  readonly domains: readonly string[];
  readonly createdAt: string;
}

/** The domain of an email address, lower-cased (the part after the last `@`). */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}
