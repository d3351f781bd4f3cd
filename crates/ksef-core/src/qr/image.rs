//! QR images (PNG and SVG) with a label under the code.
