// Pan (drag) and zoom (wheel) of one pane's SVG, and centring on a box.

export interface Rect { readonly x: number; readonly y: number; readonly width: number; readonly height: number }

const MIN_SCALE = 0.02;
const MAX_SCALE = 4;
const DRAG_THRESHOLD = 4;

export class Viewport {
  private x = 20;
  private y = 20;
  private k = 1;
  private dragFrom: { x: number; y: number; px: number; py: number } | undefined;
  /** True right after a drag, so that the click ending it does not select anything. */
  dragged = false;
  /** True once the user (or a reveal) has moved the view: automatic fitting stops. */
  touched = false;

  constructor(private readonly svgEl: SVGSVGElement, private readonly content: SVGGElement) {
    svgEl.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    svgEl.addEventListener('pointerdown', (e) => this.onDown(e));
    window.addEventListener('pointermove', (e) => this.onMove(e));
    window.addEventListener('pointerup', () => this.onUp());
    this.apply();
  }

  get scale(): number {
    return this.k;
  }

  /** Moves and zooms so that the box sits in the middle of the pane, at a readable scale. */
  centreOn(r: Rect, scale = Math.max(this.k, 0.9)): void {
    const { width, height } = this.svgEl.getBoundingClientRect();
    this.touched = true;
    this.k = clamp(scale);
    this.x = width / 2 - (r.x + r.width / 2) * this.k;
    this.y = height / 2 - (r.y + r.height / 2) * this.k;
    this.apply();
  }

  /** Zooms out (never in past 1:1, never below minScale) so that as much of the drawing as can fits, top first. */
  fit(size: { width: number; height: number }, minScale = MIN_SCALE): void {
    const { width, height } = this.svgEl.getBoundingClientRect();
    const k = Math.min(1, (width - 40) / Math.max(size.width, 1), (height - 40) / Math.max(size.height, 1));
    this.k = clamp(Math.max(k, minScale));
    this.x = Math.max(20, (width - size.width * this.k) / 2);
    this.y = 20;
    this.apply();
  }

  private apply(): void {
    this.content.setAttribute('transform', `translate(${this.x.toFixed(1)},${this.y.toFixed(1)}) scale(${this.k.toFixed(4)})`);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    this.touched = true;
    const box = this.svgEl.getBoundingClientRect();
    const px = e.clientX - box.left;
    const py = e.clientY - box.top;
    const k = clamp(this.k * Math.exp(-e.deltaY * 0.0015));
    // Keep the point under the cursor fixed.
    this.x = px - ((px - this.x) * k) / this.k;
    this.y = py - ((py - this.y) * k) / this.k;
    this.k = k;
    this.apply();
  }

  private onDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.dragFrom = { x: this.x, y: this.y, px: e.clientX, py: e.clientY };
    this.dragged = false;
  }

  private onMove(e: PointerEvent): void {
    const from = this.dragFrom;
    if (from === undefined) return;
    const dx = e.clientX - from.px;
    const dy = e.clientY - from.py;
    if (!this.dragged && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    this.dragged = true;
    this.touched = true;
    this.svgEl.classList.add('dragging');
    this.x = from.x + dx;
    this.y = from.y + dy;
    this.apply();
  }

  private onUp(): void {
    this.dragFrom = undefined;
    this.svgEl.classList.remove('dragging');
  }
}

function clamp(k: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, k));
}
