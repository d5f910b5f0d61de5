// Colours distinguishable on white and for common colour-vision deficiencies (Okabe–Ito based).
export const PALETTE = ["#0b5cad", "#d55e00", "#009e73", "#6b3fa0", "#b8860b", "#cc3d8a", "#2a7f9e", "#555555"];
export const AXIS = "#4b5563";
export const GRID = "#e5e7eb";
