// The stage's overlays: an error banner, a message, and the still image of the figure shown
// before plotly.js draws, without a kernel, and while the plot sleeps (gl_budget.js).

export class Stage {
  /** @param {{stage: HTMLElement, message: HTMLElement, error: HTMLElement, still: HTMLImageElement}} ui */
  constructor(ui) {
    this.ui = ui;
  }

  error(text) {
    this.ui.error.textContent = text || "";
    this.ui.error.style.display = text ? "block" : "none";
  }

  message(text) {
    this.ui.message.textContent = text || "";
    this.ui.message.style.display = text ? "flex" : "none";
  }

  /** Show the image at `src` over the plot; "" or null hides it. */
  still(src) {
    const { still, stage } = this.ui;
    if (src) {
      if (still.getAttribute("src") !== src) still.src = src;
      still.style.display = "block";
    } else {
      still.style.display = "none";
    }
    stage.classList.toggle("vzw-has-still", Boolean(src));
  }

  get stillShown() {
    return this.ui.still.style.display === "block";
  }
}
