/**
 * Names a side output of an operator; as Flink's `OutputTag<T>`. Two tags with the same id
 * are the same side output. The type parameter only carries the element type.
 */
export class OutputTag<T> {
  declare readonly __type?: T;
  readonly id: string;
  /** @param id unique within the job; appears in the execution plan. */
  constructor(id: string) {
    this.id = id;
    if (id.length === 0) throw new Error('OutputTag id must not be empty');
  }
  toString(): string {
    return `OutputTag(${this.id})`;
  }
}
