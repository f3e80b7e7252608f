import { Type } from "typebox";
import { AUTH_METHODS } from "../domain/auth-steps.ts";

/** A sign-in method as PipesHub's contract names it (authenticate's `method`, an auth step's methods). */
export const AuthMethodSchema = Type.Union(AUTH_METHODS.map((m) => Type.Literal(m)));
