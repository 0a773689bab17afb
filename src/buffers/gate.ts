import { BufferStateError, ErrorCode } from '../core/errors.js';
import { Gate } from '../core/types.js';

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
