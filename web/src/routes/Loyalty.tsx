/** Moments of truth, department scorecards, service stars and the seven loyalty inputs, under one tab bar. */
import { Route, Switch } from 'wouter';
import { LoyaltyTabs } from './loyalty/shared';
import { Journey } from './loyalty/Journey';
import { Scorecards } from './loyalty/Scorecards';
import { Stars } from './loyalty/Stars';
import { Inputs } from './loyalty/Inputs';

export function Loyalty() {
  return (
    <>
      <h1>Loyalty</h1>
      <LoyaltyTabs />
      <Switch>
        <Route path="/loyalty/scorecards" component={Scorecards} />
        <Route path="/loyalty/stars" component={Stars} />
        <Route path="/loyalty/inputs" component={Inputs} />
        <Route component={Journey} />
      </Switch>
    </>
  );
}
