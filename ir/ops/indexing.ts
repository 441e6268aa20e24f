// Op specs: indexing family. Each group lives in its own file.
import './indexing-gather.js';
import './indexing-scatter.js';
import './indexing-order.js';
