# SPDX-License-Identifier: LGPL-2.1-or-later
# completion/: bash completion for lxnet, lxnetfs, lxnet-proxy and lxnet-shim; one
# script, linked under each program's name (bash-completion loads a
# completion by the command's name). configure --with-bashcompletiondir.
dist_bashcompletion_DATA = completion/lxnet
install-data-hook: install-completion-links
uninstall-hook: uninstall-completion-links
install-completion-links:
	cd '$(DESTDIR)$(bashcompletiondir)' && \
	rm -f lxnetfs lxnet-proxy lxnet-shim && $(LN_S) lxnet lxnetfs && \
	$(LN_S) lxnet lxnet-proxy && $(LN_S) lxnet lxnet-shim
uninstall-completion-links:
	rm -f '$(DESTDIR)$(bashcompletiondir)/lxnetfs' '$(DESTDIR)$(bashcompletiondir)/lxnet-proxy' \
		'$(DESTDIR)$(bashcompletiondir)/lxnet-shim'
.PHONY: install-completion-links uninstall-completion-links
