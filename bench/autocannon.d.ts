// The part of autocannon's API that bench/ uses (autocannon ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string
      path?: string
      headers?: Record<string, string>
      body?: string
      setupRequest?: (request: Request, context: object) => Request
    }
    interface Options {
      url: string
      connections?: number
      duration?: number
      amount?: number
      requests?: Request[]
    }
    interface Histogram { average: number; p50: number; p99: number; total: number }
    interface Result {
      duration: number
      errors: number
      timeouts: number
      non2xx: number
      '2xx': number
      statusCodeStats: Record<string, { count: number }>
      latency: Histogram
      requests: Histogram
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>
  export default autocannon
}
