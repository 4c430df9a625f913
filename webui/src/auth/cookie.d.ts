// Types of the parts of cookie@0.7 the web UI uses (the package ships none; @types/cookie
// is not installed). See webui/src/auth/cookies.ts.
declare module 'cookie' {
  export interface SerializeOptions {
    maxAge?: number;
    path?: string;
    httpOnly?: boolean;
    secure?: boolean;
    sameSite?: 'strict' | 'lax' | 'none' | boolean;
  }
  export function parse(str: string): Record<string, string | undefined>;
  export function serialize(name: string, value: string, options?: SerializeOptions): string;
}
