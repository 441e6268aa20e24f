// Every reference kernel, registered on import.
import './elementwise.js';
import './reduce.js';
import './shape.js';
import './indexing.js';
import './nn.js';
import './fused.js';
import './collective.js';
