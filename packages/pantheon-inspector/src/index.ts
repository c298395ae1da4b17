/**
 * `@promethean-os/pantheon-inspector`: `serveInspector`, a local web page to watch a running
 * Pantheon system, and `createInspectorRecorder`, the hooks that give it tick timelines and span
 * trees.
 *
 * @packageDocumentation
 */
export {
  createInspectorRecorder,
  type InspectorRecorder,
  type InspectorRecorderOptions,
  type SpanNode,
  type TickRecord,
} from './inspector-recorder';
export {
  type InspectableSystem,
  type InspectedActor,
  type Inspector,
  type InspectorOptions,
  serveInspector,
} from './serve-inspector';
