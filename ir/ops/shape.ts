// Op specs: shape family. Each group lives in its own file.
import './shape-create.js';
import './shape-reshape.js';
import './shape-slice.js';
import './shape-layout.js';
