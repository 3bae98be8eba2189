import { FrameState } from './run-state';

/** The root frame's id: the run's top-level graph. */
export const ROOT = '';

export function newFrame(id: string, graph: string[], extra: Partial<FrameState> = {}): FrameState {
  return { id, graph, visits: {}, traversals: {}, outputs: {}, status: 'running', ...extra };
}

/** What a frame's step keys start with: nothing for the root, "<foreach>[<i>]." for a foreach item. */
export function prefix(frameId: string): string {
  return frameId === ROOT ? '' : `${frameId}.`;
}
