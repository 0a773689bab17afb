/**
 * The gate every buffer checks on each data call, and the scaffold the four buffer types
 * share around it: the name error messages use, the gate the owning actor sets, and
 * whether the storage was freed.
 *
 * The gate is a plain number on the buffer itself, so a hot path tests it with one field
 * load and compare written inline (`if (this._gate !== Gate.OPEN) throw this._refused()`):
 * no call, no allocation, and the load stays monomorphic because each method reads it
 * from its own class's instances. Only the refusal (the cold path) goes through a shared
 * method.
 */
import { BufferStateError, ErrorCode, type AvbufError } from '../core/errors.js';
import { checkNumber, type NumberRule } from '../core/validate.js';
import { BufferState, Gate } from '../core/types.js';

/** The error a data call gets when the gate is not open. */
export function gateError(gate: Gate, name: string): BufferStateError {
  switch (gate) {
    case Gate.CLOSED:
      return new BufferStateError(ErrorCode.BUFFER_CLOSED, `${name} is closed`);
    case Gate.FAILED:
      return new BufferStateError(ErrorCode.BUFFER_FAILED, `${name} is in its error state; call recover() first`);
    case Gate.PAUSED:
      return new BufferStateError(ErrorCode.BUFFER_NOT_ACCEPTING, `${name} is paused; call resume() first`);
    default:
      return new BufferStateError(ErrorCode.BUFFER_NOT_ACCEPTING, `${name} is not ready yet`);
  }
}

/**
 * Base of every buffer type: the gate, the name and the freed flag, with the guards built
 * on them. Subclasses say how an error is counted ({@link GatedBuffer._recordError}).
 */
export abstract class GatedBuffer {
  /** What error messages call this buffer. */
  protected readonly _name: string;
  /** Checked by every data call; set by the owning actor. Once closed it stays closed. */
  protected _gate: Gate = Gate.OPEN;
  /** Storage freed. Separate from the gate: the actor shuts the gate before it frees. */
  protected _released = false;

  protected constructor(name: string) {
    this._name = name;
  }

  /** True once the storage is freed. */
  get closed(): boolean {
    return this._released;
  }

  /** @internal Set by the owning actor on entering and leaving states. */
  _setGate(gate: Gate): void {
    if (this._gate !== Gate.CLOSED) this._gate = gate;
  }

  /** @internal Counts an error raised on this buffer's behalf (by its actor) and returns it. */
  abstract _recordError<E extends AvbufError>(error: E): E;

  /** Why the gate refuses a call now, not counted (for a buffer that counts errors per caller). */
  protected _gateError(): BufferStateError {
    return gateError(this._gate, this._name);
  }

  /** The counted error for a call the gate refuses; the caller tests the gate and throws it. */
  protected _refused(): BufferStateError {
    return this._recordError(gateError(this._gate, this._name));
  }

  /** Throws the counted gate error once closed: for calls a paused or failed buffer still answers. */
  protected _assertNotClosed(): void {
    if (this._gate === Gate.CLOSED) throw this._refused();
  }

  /** {@link checkNumber} for a method argument; a failure counts as this buffer's error. */
  protected _checkArgument(field: string, value: unknown, rule: NumberRule & { readonly kind: 'argument' }): number {
    try {
      return checkNumber(field, value, rule);
    } catch (error) {
      throw this._recordError(error as AvbufError);
    }
  }

  /** Shuts the gate for good and marks the storage freed; false when it already was (close is idempotent). */
  protected _markClosed(): boolean {
    if (this._released) return false;
    this._released = true;
    this._gate = Gate.CLOSED;
    return true;
  }

  /** The state metrics report: the actor's when it says, else active or closed from the gate. */
  protected _metricsState(state: BufferState | undefined): BufferState {
    return state ?? (this._gate === Gate.CLOSED ? BufferState.CLOSED : BufferState.ACTIVE);
  }
}
