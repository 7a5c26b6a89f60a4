/** Where customers open survey links: KEPT_PUBLIC_URL (default http://localhost:PORT). */
let publicUrl = 'http://localhost:3000';

export function configureSurveys(opts: { publicUrl: string }) {
  publicUrl = opts.publicUrl.replace(/\/$/, '');
}

export const surveyLink = (token: string) => `${publicUrl}/s/${token}`;
