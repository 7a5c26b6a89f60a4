export { resolveTouchpoint, listTouchpoints, type Touchpoint } from './service';
export { journeyMap, behindFigure, periodOf, type JourneyMap } from './map';
