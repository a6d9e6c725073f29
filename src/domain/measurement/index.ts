// Public surface of lesion measurement (pure: no I/O). See lesion-measurement.ts for conventions.
export {
  BOUNDARY_CONVENTIONS,
  type BoundaryConvention,
  type CaliperLine,
  type LesionMeasurement,
  type SliceAxes,
  type SliceMeasurement,
  measureLesionMask,
  measureMaskSlice,
} from './lesion-measurement.js';
export {
  type BidimensionalCheck,
  type DrawnLine,
  DEFAULT_PERPENDICULAR_TOLERANCE_DEG,
  checkBidimensional,
  drawnLineFromVoxels,
  drawnLineLengthMm,
} from './drawn-line.js';
export { type MeshPlaneDiameter, meshPlaneMaximumDiameter } from './mesh-plane-diameter.js';
export { type Point2, convexHull } from './convex-hull.js';
export { type FarthestPair, farthestPair } from './rotating-calipers.js';
export { type Chord, longestPerpendicularChord } from './short-axis.js';
