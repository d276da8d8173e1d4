// The part of autocannon's API this benchmark uses (the package ships no types; @types/autocannon would be one more
// dependency for a few fields).
declare module 'autocannon' {
  type Request = { method?: string; path?: string; headers?: Record<string, string> };
  type Options = {
    url: string;
    connections?: number;
    duration?: number;
    headers?: Record<string, string>;
    /** Called before each request is sent (here: a fresh request proof per request). */
    requests?: { setupRequest: (request: Request) => Request }[];
  };
  type Result = {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  function autocannon(options: Options): Promise<Result>;
  export = autocannon;
}
