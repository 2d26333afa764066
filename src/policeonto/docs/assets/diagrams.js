// Draw each diagram of the page (a <div class="diagram"> holding Mermaid source) as inline SVG.
(function () {
  function draw() {
    mermaid.initialize({ startOnLoad: false, securityLevel: "loose", theme: "default", flowchart: { htmlLabels: true } });
    mermaid.run({ querySelector: "div.diagram" });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
