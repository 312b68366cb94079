/**
 * BroadcastStream<T>: a stream whose every record goes to every parallel subtask of the
 * operator it is connected to, together with the broadcast states that operator keeps
 * (`stream.broadcast(descriptor, ...)`); as Flink's `BroadcastStream`. It has no operations
 * of its own: connect a stream to it (`other.connect(broadcastStream)`) and process the
 * pair with a (Keyed)BroadcastProcessFunction.
 */
import { RivuletError } from '../core/errors.ts';
import type { MapStateDescriptor } from '../core/state.ts';
import type { StreamExecutionEnvironment } from './stream-execution-environment.ts';
import type { StreamInput } from './data-stream.ts';

export class BroadcastStream<T> {
  /** @internal */ readonly env: StreamExecutionEnvironment;
  /** @internal the upstream, with the BROADCAST partitioner. */
  readonly inputs: readonly StreamInput[];
  private readonly descriptors: readonly MapStateDescriptor<any, any>[];
  declare readonly __broadcastType?: T;

  /**
   * @internal use `stream.broadcast(descriptor, ...)`.
   * @throws RivuletError(INVALID_GRAPH) for two descriptors with the same name.
   */
  constructor(env: StreamExecutionEnvironment, inputs: readonly StreamInput[], descriptors: readonly MapStateDescriptor<any, any>[]) {
    const names = new Set<string>();
    for (const d of descriptors) {
      if (names.has(d.name)) throw new RivuletError('INVALID_GRAPH', `broadcast(): two state descriptors are named "${d.name}"; broadcast state names must be unique.`);
      names.add(d.name);
    }
    this.env = env;
    this.inputs = inputs.map((i) => ({ ...i, partitioner: { kind: 'broadcast' as const } }));
    this.descriptors = descriptors;
  }

  /** The broadcast states every subtask of the connected operator keeps. */
  getBroadcastStateDescriptors(): readonly MapStateDescriptor<any, any>[] {
    return this.descriptors;
  }
}
