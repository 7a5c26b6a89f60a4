export { allScorecards, listScorecards, getScorecard, type Scorecard } from './service';
