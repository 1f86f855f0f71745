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
      /** ms between samples; a run stops at the first sample after its duration. */
      sampleInt?: number
      /** Returns a RawResult, for aggregateResult. */
      skipAggregateResult?: boolean
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
    /** A run with skipAggregateResult: its histograms encoded. */
    interface RawResult {
      '2xx': number
      errors: number
      timeouts: number
      non2xx: number
      duration: number
    }
    function aggregateResult(results: RawResult[], opts?: object): Result
  }
  /** The run: a promise of its result, and the events of each response. */
  function autocannon(options: autocannon.Options): Promise<autocannon.Result | autocannon.RawResult> & {
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void
  }
  export default autocannon
}
