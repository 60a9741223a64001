/** The CloudWatch namespace the billing meter publishes into. */
export const BILLING_NAMESPACE = 'Stagegraph/Billing';

/** The meter's metrics, named after what they count, with their units in the name. */
export enum BillingMetric {
  /** Invocations metered (Count). */
  INVOCATIONS = 'Invocations',
  /** Billed milliseconds, after the model's rounding (Milliseconds). */
  BILLED_DURATION_MILLIS = 'BilledDurationMillis',
  /** Memory (GB) times billed seconds (None). */
  GB_SECONDS = 'GbSeconds',
  /** Cost before the free tier, USD (None). */
  COST_USD = 'CostUsd',
  /** Invocations that started a new environment (Count). */
  COLD_STARTS = 'ColdStarts',
  /** INIT phase of cold starts (Milliseconds). */
  INIT_DURATION_MILLIS = 'InitDurationMillis',
}

/** Dimensions: per function (`FunctionName`), and for the whole app (`App`). */
export const FUNCTION_DIMENSION = 'FunctionName';
export const APP_DIMENSION = 'App';
