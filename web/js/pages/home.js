// `/`: where a person starts, by role (REPORTER → /report, others → /dashboard).
import { requireMe } from '../api.js';
import { homeOf } from '../layout.js';
import { showError } from '../format.js';

requireMe()
  .then((me) => location.replace(homeOf(me.role)))
  .catch((e) => showError(document.getElementById('main'), e));
