/** docs/streams-node.md runs as written: each recipe prints what the `text` block after it says (test/helpers/docRecipes.ts). */
import { describeRecipes } from '../../helpers/docRecipes.js';

describeRecipes('docs/streams-node.md', 4);
