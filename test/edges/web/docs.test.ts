/** docs/streams-web.md runs as written: each recipe prints what the `text` block after it says (test/helpers/docRecipes.ts). */
import { describeRecipes } from '../../helpers/docRecipes.js';

describeRecipes('docs/streams-web.md', 4);
