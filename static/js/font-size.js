// Loaded in <head> without defer: applies the reader's remembered font size (字号) before the
// page is drawn, so the text does not jump. site.js handles the buttons that change it.
(function () {
  try {
    var size = window.localStorage.getItem("newsroom-font-size");
    if (size === "large" || size === "small") document.documentElement.dataset.fontSize = size;
  } catch (error) {
    // Storage may be blocked (private mode): medium it is.
  }
})();
