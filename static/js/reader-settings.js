// Loaded in <head> without defer, so it runs before the page is drawn: applies what the reader chose
// on an earlier visit (the 字号 font size, the 长者 elder mode), kept in localStorage, so nothing jumps
// and cached pages stay the same for everyone. site.js handles the buttons that change them.
(function () {
  var root = document.documentElement;
  root.classList.add("js"); // controls that need scripts are shown by the style sheet, without a shift
  try {
    var size = window.localStorage.getItem("newsroom-font-size");
    if (size === "large" || size === "small") root.dataset.fontSize = size;
    if (window.localStorage.getItem("newsroom-care") === "on") root.classList.add("care");
  } catch (error) {
    // Storage may be blocked (private mode): the defaults it is.
  }
})();
