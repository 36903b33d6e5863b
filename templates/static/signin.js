// While a sign-in is being checked, say so: in a hall where hundreds sign in
// at once the server queues password checks, and a silent button looks broken.
(function () {
  var form = document.querySelector("form[data-signin]");
  if (!form) return;
  var status = document.getElementById("signin-status");
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    if (status) {
      status.textContent =
        "Signing you in… When many people sign in at once this can take up to half a minute. Please keep this page open.";
    }
  });
})();
