/**
 * What a sink guarantees about the records it writes after failures; as Flink's
 * `org.apache.flink.connector.base.DeliveryGuarantee`.
 */
export const DeliveryGuarantee = {
  /** Fire and forget: records are sent in batches and never waited for at checkpoints; a failure may lose or duplicate records. */
  NONE: 'NONE',
  /** Every record written before a checkpoint's barrier is acknowledged by the brokers (acks=all) before the checkpoint completes; a restart may duplicate records. */
  AT_LEAST_ONCE: 'AT_LEAST_ONCE',
  /** Records are written in Kafka transactions committed when a checkpoint completes: `read_committed` consumers see every record exactly once. */
  EXACTLY_ONCE: 'EXACTLY_ONCE',
} as const;
export type DeliveryGuarantee = (typeof DeliveryGuarantee)[keyof typeof DeliveryGuarantee];
