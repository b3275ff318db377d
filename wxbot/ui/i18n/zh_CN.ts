<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>wxbot</name>
    <message>
        <source>No system tray here: closing the window quits wxbot.</source>
        <translation>此桌面没有系统托盘：关闭窗口即退出 wxbot。</translation>
    </message>
    <message>
        <source>Auto-reply running</source>
        <translation>自动回复运行中</translation>
    </message>
    <message>
        <source>Auto-reply stopped</source>
        <translation>自动回复已停止</translation>
    </message>
    <message>
        <source>Auto-reply paused</source>
        <translation>自动回复已暂停</translation>
    </message>
    <message>
        <source>Auto-reply stopped by an error</source>
        <translation>自动回复因错误停止</translation>
    </message>
    <message>
        <source>Wrong passphrase. Try again:</source>
        <translation>口令错误，请重试：</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <source>Unexpected error: %s</source>
        <translation>意外错误：%s</translation>
    </message>
    <message>
        <source>wxbot keeps running</source>
        <translation>wxbot 仍在运行</translation>
    </message>
    <message>
        <source>wxbot is still answering in the background. Use the tray icon to open the window or quit.</source>
        <translation>wxbot 仍在后台自动回复。可通过托盘图标打开窗口或退出。</translation>
    </message>
    <message>
        <source>Loading model %s…</source>
        <translation>正在加载模型 %s…</translation>
    </message>
    <message>
        <source>Model ready: %s</source>
        <translation>模型就绪：%s</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>没有模型</translation>
    </message>
    <message>
        <source>Model failed</source>
        <translation>模型加载失败</translation>
    </message>
    <message>
        <source>WeChat logged you out: %s</source>
        <translation>微信已登出：%s</translation>
    </message>
    <message>
        <source>The model could not be loaded: %s</source>
        <translation>无法加载模型：%s</translation>
    </message>
    <message>
        <source>No model yet. Put a DeepSeek .gguf file in the models folder, or choose one on the Settings page.</source>
        <translation>还没有模型。请把 DeepSeek 的 .gguf 文件放进 models 文件夹，或在“设置”页选择一个。</translation>
    </message>
    <message>
        <source>Demo phone — you play the contacts</source>
        <translation>演示手机 — 你来扮演联系人</translation>
    </message>
    <message>
        <source>@ the bot</source>
        <translation>@ 机器人</translation>
    </message>
    <message>
        <source>Type a message as this contact</source>
        <translation>以这个联系人的身份输入消息</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>I am</source>
        <translation>我是</translation>
    </message>
    <message>
        <source>Account risk</source>
        <translation>账号风险</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <source>Something went wrong, but wxbot keeps running. Details are in the log file.</source>
        <translation>出了点问题，但 wxbot 仍在运行。详情见日志文件。</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Friends</source>
        <translation>好友</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>群聊</translation>
    </message>
    <message>
        <source>Search contacts</source>
        <translation>搜索联系人</translation>
    </message>
    <message>
        <source>Groups always start off; in groups the assistant answers only when @-mentioned.</source>
        <translation>群聊默认关闭；在群里只有被 @ 时才回复。</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Merge into…</source>
        <translation>合并到…</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>聊天记录</translation>
    </message>
    <message>
        <source>This contact is really the earlier contact:</source>
        <translation>这个联系人其实是之前的：</translation>
    </message>
    <message>
        <source>Renamed? Please confirm</source>
        <translation>可能改名了，请确认</translation>
    </message>
    <message>
        <source>Ambiguous match: please confirm</source>
        <translation>匹配不唯一，请确认</translation>
    </message>
    <message>
        <source>Maybe renamed: please confirm</source>
        <translation>可能改名了，请确认</translation>
    </message>
    <message>
        <source>Friend</source>
        <translation>好友</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>群聊</translation>
    </message>
    <message>
        <source>Official account</source>
        <translation>公众号</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Paused until resumed</source>
        <translation>已暂停，直到手动恢复</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Paused until %s</source>
        <translation>暂停至 %s</translation>
    </message>
    <message>
        <source>30 minutes</source>
        <translation>30 分钟</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 小时</translation>
    </message>
    <message>
        <source>4 hours</source>
        <translation>4 小时</translation>
    </message>
    <message>
        <source>Until I resume</source>
        <translation>直到我恢复</translation>
    </message>
    <message>
        <source>auto-reply was stopped</source>
        <translation>自动回复已停止</translation>
    </message>
    <message>
        <source>the message was too old</source>
        <translation>过时消息</translation>
    </message>
    <message>
        <source>the contact is paused</source>
        <translation>该联系人已暂停</translation>
    </message>
    <message>
        <source>you replied by hand</source>
        <translation>你已亲自回复</translation>
    </message>
    <message>
        <source>outside service hours</source>
        <translation>不在服务时间</translation>
    </message>
    <message>
        <source>WeChat sent a security warning</source>
        <translation>微信发来安全警告</translation>
    </message>
    <message>
        <source>the model gave no answer</source>
        <translation>模型没有给出回答</translation>
    </message>
    <message>
        <source>WeChat doesn't know this sender</source>
        <translation>微信不认识这个发送者</translation>
    </message>
    <message>
        <source>Showing the newest %d of %d matches</source>
        <translation>显示最新的 %d 条（共 %d 条匹配）</translation>
    </message>
    <message>
        <source>the model's reply kept repeating itself</source>
        <translation>模型的回复不断重复，未发送</translation>
    </message>
    <message>
        <source>the model's reply recited its instructions</source>
        <translation>模型的回复复述了人设提示，未发送</translation>
    </message>
    <message>
        <source>auto-reply is off for this contact</source>
        <translation>此联系人未开启自动回复</translation>
    </message>
    <message>
        <source>not @-mentioned in the group</source>
        <translation>群里没有 @ 我</translation>
    </message>
    <message>
        <source>interrupted and expired</source>
        <translation>中断后已过期</translation>
    </message>
    <message>
        <source>the reply failed</source>
        <translation>回复失败</translation>
    </message>
    <message>
        <source>the daily reply limit was reached</source>
        <translation>已达每日回复上限</translation>
    </message>
    <message>
        <source>too many rapid exchanges</source>
        <translation>来回太频繁</translation>
    </message>
    <message>
        <source>not a text message</source>
        <translation>不是文字消息</translation>
    </message>
    <message>
        <source>a system account</source>
        <translation>系统账号</translation>
    </message>
    <message>
        <source>an official account</source>
        <translation>公众号</translation>
    </message>
    <message>
        <source>a system note</source>
        <translation>系统提示</translation>
    </message>
    <message>
        <source>an empty message</source>
        <translation>空消息</translation>
    </message>
    <message>
        <source>an owner command</source>
        <translation>店主指令</translation>
    </message>
    <message>
        <source>Not answered automatically: %s</source>
        <translation>未自动回复：%s</translation>
    </message>
    <message>
        <source>🤖 AI</source>
        <translation>🤖 AI</translation>
    </message>
    <message>
        <source>Me</source>
        <translation>我</translation>
    </message>
    <message>
        <source>Pick a contact</source>
        <translation>选择一个联系人</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Search this conversation</source>
        <translation>搜索聊天记录</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>还没有消息</translation>
    </message>
    <message>
        <source>Exactly</source>
        <translation>完全相同</translation>
    </message>
    <message>
        <source>Contains</source>
        <translation>包含</translation>
    </message>
    <message>
        <source>Regular expression</source>
        <translation>正则表达式</translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation>添加规则</translation>
    </message>
    <message>
        <source>Remove rule</source>
        <translation>删除规则</translation>
    </message>
    <message>
        <source>Match</source>
        <translation>匹配方式</translation>
    </message>
    <message>
        <source>Customers ask / text</source>
        <translation>客户问法 / 文字</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>Scan the QR code with WeChat on your phone</source>
        <translation>请用手机微信扫描二维码</translation>
    </message>
    <message>
        <source>Scanned — confirm the login on your phone</source>
        <translation>已扫描，请在手机上确认登录</translation>
    </message>
    <message>
        <source>The QR code expired; getting a new one…</source>
        <translation>二维码已过期，正在刷新…</translation>
    </message>
    <message>
        <source>Logged in as %s</source>
        <translation>已登录：%s</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>已退出登录</translation>
    </message>
    <message>
        <source>Login failed</source>
        <translation>登录失败</translation>
    </message>
    <message>
        <source>Connecting to WeChat…</source>
        <translation>正在连接微信…</translation>
    </message>
    <message>
        <source>Log in to WeChat</source>
        <translation>登录微信</translation>
    </message>
    <message>
        <source>A secondary WeChat account is safer: web-protocol automation can get an account restricted.</source>
        <translation>建议使用微信小号：通过网页协议自动回复可能导致账号受限。</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>The QR code could not be shown</source>
        <translation>无法显示二维码</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Replies</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>FAQ</source>
        <translation>常见问题</translation>
    </message>
    <message>
        <source>Pacing</source>
        <translation>节奏</translation>
    </message>
    <message>
        <source>General</source>
        <translation>通用</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>模型文件</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <source>Context size (tokens)</source>
        <translation>上下文长度（token）</translation>
    </message>
    <message>
        <source>Replies generated at once (0 = auto)</source>
        <translation>同时生成的回复数（0 = 自动）</translation>
    </message>
    <message>
        <source>Off: answer at once</source>
        <translation>关闭：立即回答</translation>
    </message>
    <message>
        <source>Brief: think within a budget</source>
        <translation>简短：在限额内思考</translation>
    </message>
    <message>
        <source>Full: think as long as it likes</source>
        <translation>完整：不限思考长度</translation>
    </message>
    <message>
        <source>Reasoning (DeepSeek-R1's thinking)</source>
        <translation>推理（DeepSeek-R1 的思考）</translation>
    </message>
    <message>
        <source>Thinking budget when brief (tokens)</source>
        <translation>简短思考的限额（token）</translation>
    </message>
    <message>
        <source>Longest reply (tokens)</source>
        <translation>最长回复（token）</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Persona</source>
        <translation>人设</translation>
    </message>
    <message>
        <source>Reply prefix</source>
        <translation>回复前缀</translation>
    </message>
    <message>
        <source>Remembered messages</source>
        <translation>记住的消息条数</translation>
    </message>
    <message>
        <source>Reply to images, voice, files</source>
        <translation>图片、语音、文件的回复</translation>
    </message>
    <message>
        <source>Service hours</source>
        <translation>服务时间</translation>
    </message>
    <message>
        <source>Away message</source>
        <translation>非服务时间回复</translation>
    </message>
    <message>
        <source>Write a rule as a few ways customers ask (separated by |) and your answer: the rule closest to a message answers it, exactly as you wrote it, without the model, unless a knowledge-base passage fits the message better. Try a question on the Knowledge base page.</source>
        <translation>每条规则写几种客户的问法（用 | 分隔）和你的回答：与消息最接近的规则会按你写的原话立即回答，不经过模型；除非知识库里有更贴切的资料。可以在「知识库」页「试一试」。</translation>
    </message>
    <message>
        <source>Slow, human-like replies protect the account. The defaults are conservative.</source>
        <translation>放慢、像真人一样的回复能保护账号。默认值比较保守。</translation>
    </message>
    <message>
        <source>Seconds between replies to one contact</source>
        <translation>同一联系人回复间隔（秒）</translation>
    </message>
    <message>
        <source>Replies per minute (all contacts)</source>
        <translation>每分钟最多回复（全部联系人）</translation>
    </message>
    <message>
        <source>Replies per day (all contacts)</source>
        <translation>每天最多回复（全部联系人）</translation>
    </message>
    <message>
        <source>Typing delay, base (s)</source>
        <translation>打字延迟基数（秒）</translation>
    </message>
    <message>
        <source>Typing delay per character (s)</source>
        <translation>每个字的打字延迟（秒）</translation>
    </message>
    <message>
        <source>Wait for more messages (s)</source>
        <translation>等待连续消息（秒）</translation>
    </message>
    <message>
        <source>Pause after I reply by hand (minutes)</source>
        <translation>我亲自回复后暂停（分钟）</translation>
    </message>
    <message>
        <source>Language (after restart)</source>
        <translation>界面语言（重启后生效）</translation>
    </message>
    <message>
        <source>Keep history (days, 0 = forever)</source>
        <translation>保留聊天记录（天，0 = 永久）</translation>
    </message>
    <message>
        <source>Automatic (first .gguf in models/)</source>
        <translation>自动（models/ 中的第一个 .gguf）</translation>
    </message>
    <message>
        <source>Choose a model</source>
        <translation>选择模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>empty = no reply</source>
        <translation>留空 = 不回复</translation>
    </message>
    <message>
        <source>e.g. 09:00-21:00; empty = always</source>
        <translation>例如 09:00-21:00；留空 = 全天</translation>
    </message>
    <message>
        <source>sent once outside service hours</source>
        <translation>非服务时间内发送一次</translation>
    </message>
    <message>
        <source>No model yet: put a DeepSeek .gguf file in %s, or choose one with Browse….</source>
        <translation>还没有模型：请把 DeepSeek 的 .gguf 文件放进 %s，或点“浏览…”选择一个。</translation>
    </message>
    <message>
        <source>Models are looked for in %s</source>
        <translation>在以下位置查找模型：%s</translation>
    </message>
    <message>
        <source>Start auto-reply</source>
        <translation>开始自动回复</translation>
    </message>
    <message>
        <source>Stop auto-reply</source>
        <translation>停止自动回复</translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation>隐藏窗口</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Not logged in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Show window</source>
        <translation>显示窗口</translation>
    </message>
    <message>
        <source>wxbot — WeChat AI assistant</source>
        <translation>wxbot — 微信 AI 助理</translation>
    </message>
    <message>
        <source>Login</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>聊天记录</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Replies today: %d</source>
        <translation>今日回复：%d</translation>
    </message>
    <message>
        <source>New contacts</source>
        <translation>新联系人</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动回复</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>New contacts:</source>
        <translation>新联系人：</translation>
    </message>
    <message>
        <source>%d contacts: %d auto, %d drafts</source>
        <translation>%d 个联系人：%d 个自动回复，%d 个草稿</translation>
    </message>
    <message>
        <source>Draft (I approve)</source>
        <translation>草稿（我批准后发送）</translation>
    </message>
    <message>
        <source>Off: no replies. Draft: the assistant writes a reply and waits for you to send it. Auto: it answers by itself.</source>
        <translation>关闭：不回复。草稿：助理写好回复，等你批准后发送。自动回复：助理自己回复。</translation>
    </message>
    <message>
        <source>Off for selected</source>
        <translation>选中的关闭</translation>
    </message>
    <message>
        <source>Replies: %s</source>
        <translation>回复方式：%s</translation>
    </message>
    <message>
        <source>Auto for selected</source>
        <translation>选中的自动回复</translation>
    </message>
    <message>
        <source>Drafts for selected</source>
        <translation>选中的用草稿</translation>
    </message>
    <message>
        <source>Knowledge base</source>
        <translation>知识库</translation>
    </message>
    <message>
        <source>Price lists, policies and guides the bot answers from. Drop files here or use Add files (Excel, CSV, Word, PDF, Markdown, text).</source>
        <translation>机器人据以回答的价目表、政策和说明。把文件拖到这里，或点击“添加文件”（Excel、CSV、Word、PDF、Markdown、文本）。</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <source>Re-import</source>
        <translation>重新导入</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Ask as a customer would, e.g. “How much is SJ-0412?”</source>
        <translation>像客户那样提问，例如「SJ-0412 多少钱」</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>What would the bot find?</source>
        <translation>机器人会找到什么？</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <source>Passages</source>
        <translation>段落数</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>导入时间</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>相关度</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Passage</source>
        <translation>段落内容</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>已导入</translation>
    </message>
    <message>
        <source>Replaced</source>
        <translation>已更新</translation>
    </message>
    <message>
        <source>Unchanged</source>
        <translation>未变化</translation>
    </message>
    <message>
        <source>Add to the knowledge base</source>
        <translation>添加到知识库</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <source>Importing %d file(s)…</source>
        <translation>正在导入 %d 个文件…</translation>
    </message>
    <message>
        <source>%s: not imported: %s</source>
        <translation>%s：未导入：%s</translation>
    </message>
    <message>
        <source>%s: %s, %d passages</source>
        <translation>%s：%s，%d 段</translation>
    </message>
    <message>
        <source>Remove %s and all its passages from the knowledge base?</source>
        <translation>从知识库中删除 %s 及其全部段落？</translation>
    </message>
    <message>
        <source>%s removed</source>
        <translation>已删除 %s</translation>
    </message>
    <message>
        <source>The bot would put these passages, best first, into its prompt.</source>
        <translation>机器人会把这些段落（最相关的在前）放进提示词。</translation>
    </message>
    <message>
        <source>Nothing relevant: the bot quotes nothing, and a question about price, stock, shipping or refunds gets your fallback text.</source>
        <translation>没有相关内容：机器人不会引用任何资料；问价格、库存、运费或退换的问题会收到你设置的兜底回复。</translation>
    </message>
    <message>
        <source>Knowledge-base passages this reply used:</source>
        <translation>这条回复依据的知识库资料：</translation>
    </message>
    <message>
        <source>When the knowledge base has no answer</source>
        <translation>知识库没有答案时</translation>
    </message>
    <message>
        <source>sent as written for a price, stock, shipping or refund question</source>
        <translation>客户问价格、库存、运费或退换时，原样发送</translation>
    </message>
    <message>
        <source>Importing %s: %d of %d…</source>
        <translation>正在导入 %s：%d / %d…</translation>
    </message>
    <message>
        <source>Importing %s: %d…</source>
        <translation>正在导入 %s：%d…</translation>
    </message>
    <message>
        <source>you rejected the draft</source>
        <translation>你放弃了草稿</translation>
    </message>
    <message>
        <source>the draft waited too long</source>
        <translation>草稿等待太久已过期</translation>
    </message>
    <message>
        <source>Drafts (%d)</source>
        <translation>草稿 (%d)</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>Draft #%d for %s is waiting for you</source>
        <translation>草稿 #%d（%s）等你处理</translation>
    </message>
    <message>
        <source>Keep as knowledge-base note</source>
        <translation>存为知识库笔记</translation>
    </message>
    <message>
        <source>Draft #%d for %s</source>
        <translation>草稿 #%d → %s</translation>
    </message>
    <message>
        <source>Edit (Ctrl+E)</source>
        <translation>修改 (Ctrl+E)</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>发送 (Enter)</translation>
    </message>
    <message>
        <source>Keep as FAQ rule</source>
        <translation>存为常见问题</translation>
    </message>
    <message>
        <source>Sources: %s</source>
        <translation>依据资料：%s</translation>
    </message>
    <message>
        <source>The assistant's draft:</source>
        <translation>助理写的草稿：</translation>
    </message>
    <message>
        <source>The customer wrote:</source>
        <translation>客户说：</translation>
    </message>
    <message>
        <source>Reject (Esc)</source>
        <translation>放弃 (Esc)</translation>
    </message>
    <message>
        <source>%d drafts waiting</source>
        <translation>%d 条草稿待处理</translation>
    </message>
    <message>
        <source>Write again (Ctrl+R)</source>
        <translation>重写 (Ctrl+R)</translation>
    </message>
    <message>
        <source>Edit the reply, then Ctrl+Enter sends it (Esc cancels the edit).</source>
        <translation>修改回复后按 Ctrl+Enter 发送（Esc 取消修改）。</translation>
    </message>
    <message>
        <source>New draft</source>
        <translation>新草稿</translation>
    </message>
    <message>
        <source>No drafts waiting</source>
        <translation>没有待处理的草稿</translation>
    </message>
    <message>
        <source>Tell me about each new draft in File Transfer Helper (#ok N / #no N / #edit N)</source>
        <translation>每条新草稿都在文件传输助手里告诉我（#ok 编号 / #no 编号 / #edit 编号）</translation>
    </message>
    <message>
        <source>With a knowledge base, replies the assistant is unsure of become drafts</source>
        <translation>有知识库时，助理没把握的回复先存为草稿</translation>
    </message>
    <message>
        <source>Drafts expire after (minutes, 0 = never)</source>
        <translation>草稿过期时间（分钟，0 = 永不过期）</translation>
    </message>
    <message>
        <source>The model on this PC</source>
        <translation>本机模型</translation>
    </message>
    <message>
        <source>An OpenAI-compatible server</source>
        <translation>OpenAI 兼容服务器</translation>
    </message>
    <message>
        <source>empty = the first model the server lists</source>
        <translation>留空 = 使用服务器列出的第一个模型</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>模型引擎</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>Model name on the server</source>
        <translation>服务器上的模型名</translation>
    </message>
    <message>
        <source>Server timeout (seconds)</source>
        <translation>服务器超时（秒）</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>kept in the keychain; type to replace</source>
        <translation>已保存在系统钥匙串中；输入新密钥即可替换</translation>
    </message>
    <message>
        <source>Remove saved key</source>
        <translation>删除已保存的密钥</translation>
    </message>
    <message>
        <source>removed when you apply</source>
        <translation>点击“应用”后删除</translation>
    </message>
    <message>
        <source>kept for %s only, not sent to this address; type it again to use it here</source>
        <translation>只保存给 %s 使用，不会发送到这个地址；要在这里使用请重新输入</translation>
    </message>
    <message>
        <source>http:// is not encrypted: the API key and every customer message cross the network in clear text. Use https://, or a server on this PC.</source>
        <translation>http:// 没有加密：API 密钥和每条客户消息都以明文经过网络。请使用 https://，或本机上的服务器。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Server model: %s (reachable)</source>
        <translation>服务器模型：%s（可连接）</translation>
    </message>
    <message>
        <source>Server model: %s (unreachable)</source>
        <translation>服务器模型：%s（无法连接）</translation>
    </message>
    <message>
        <source>95% of replies within</source>
        <translation>95% 的回复在此时间内</translation>
    </message>
    <message>
        <source>Customers answered</source>
        <translation>已回复的客户</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>概览</translation>
    </message>
    <message>
        <source>Drafts approved</source>
        <translation>批准的草稿</translation>
    </message>
    <message>
        <source>Drafts waiting</source>
        <translation>待处理草稿</translation>
    </message>
    <message>
        <source>Fallback text</source>
        <translation>兜底话术</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Median reply time</source>
        <translation>回复时间中位数</translation>
    </message>
    <message>
        <source>Messages missed</source>
        <translation>漏回的消息</translation>
    </message>
    <message>
        <source>Missed: %s</source>
        <translation>漏回原因：%s</translation>
    </message>
    <message>
        <source>Non-text</source>
        <translation>非文字消息</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Replies by hour of the day</source>
        <translation>各时段回复数</translation>
    </message>
    <message>
        <source>Replies by source</source>
        <translation>回复来源</translation>
    </message>
    <message>
        <source>Replies sent</source>
        <translation>已发送回复</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>What the assistant did</source>
        <translation>助理的工作概况</translation>
    </message>
    <message>
        <source>Your own replies (takeovers)</source>
        <translation>您亲自回复（接管）</translation>
    </message>
    <message>
        <source>auto-reply stopped</source>
        <translation>自动回复已停止</translation>
    </message>
    <message>
        <source>daily cap</source>
        <translation>每日上限</translation>
    </message>
    <message>
        <source>errors</source>
        <translation>出错</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>loop guard</source>
        <translation>防循环</translation>
    </message>
    <message>
        <source>model output held back</source>
        <translation>模型输出异常未发送</translation>
    </message>
    <message>
        <source>nothing to say</source>
        <translation>无可回复内容</translation>
    </message>
    <message>
        <source>risk warning</source>
        <translation>风险提示</translation>
    </message>
    <message>
        <source>too old</source>
        <translation>消息过旧</translation>
    </message>
    <message>
        <source>Auto-reply started</source>
        <translation>自动回复已开启</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作者</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Export the operation log</source>
        <translation>导出操作日志</translation>
    </message>
    <message>
        <source>Exported</source>
        <translation>已导出</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Knowledge base changed</source>
        <translation>知识库变更</translation>
    </message>
    <message>
        <source>Logged in</source>
        <translation>已登录</translation>
    </message>
    <message>
        <source>Operation log</source>
        <translation>操作日志</translation>
    </message>
    <message>
        <source>Settings changed</source>
        <translation>设置已更改</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>What</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Written to %s (not encrypted)</source>
        <translation>已写入 %s（未加密）</translation>
    </message>
    <message>
        <source>command line</source>
        <translation>命令行</translation>
    </message>
    <message>
        <source>phone command</source>
        <translation>手机命令</translation>
    </message>
    <message>
        <source>tray menu</source>
        <translation>托盘菜单</translation>
    </message>
    <message>
        <source>window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Daily summary to File Transfer Helper at (hour)</source>
        <translation>每日小结发到文件传输助手的时间（点）</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Answer from the knowledge base as written (passages, 0 = the model answers)</source>
        <translation>按知识库原文回答（段落数，0 = 由模型回答）</translation>
    </message>
    <message>
        <source>Prometheus metrics on 127.0.0.1, port</source>
        <translation>Prometheus 监控指标（127.0.0.1 端口）</translation>
    </message>
    <message>
        <source>A passphrase I choose</source>
        <translation>我自己设定的口令</translation>
    </message>
    <message>
        <source>CPU only, slow</source>
        <translation>仅 CPU，较慢</translation>
    </message>
    <message>
        <source>Choose a .gguf from disk…</source>
        <translation>从磁盘选择 .gguf 文件…</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>First-run guide…</source>
        <translation>首次使用向导…</translation>
    </message>
    <message>
        <source>Getting started</source>
        <translation>快速上手</translation>
    </message>
    <message>
        <source>I understand</source>
        <translation>我已了解</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Next comes the Login page: scan its QR code with WeChat on your phone. This guide opens again from Settings.</source>
        <translation>接下来是登录页：用手机微信扫描二维码。之后可在“设置”中再次打开本向导。</translation>
    </message>
    <message>
        <source>Passphrase (at least %d characters)</source>
        <translation>口令（至少 %d 个字符）</translation>
    </message>
    <message>
        <source>Pick a model</source>
        <translation>选择模型</translation>
    </message>
    <message>
        <source>Step %d of %d</source>
        <translation>第 %d 步，共 %d 步</translation>
    </message>
    <message>
        <source>System keychain (recommended)</source>
        <translation>系统钥匙串（推荐）</translation>
    </message>
    <message>
        <source>The same passphrase again</source>
        <translation>再次输入同一口令</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>两次输入的口令不一致。</translation>
    </message>
    <message>
        <source>Where the data key lives</source>
        <translation>数据密钥保存在哪里</translation>
    </message>
    <message>
        <source>Your chat history is encrypted. Its key can stay in the system keychain, or be protected by a passphrase you type at every start (if you forget it, the history is lost).</source>
        <translation>聊天记录已加密。密钥可以保存在系统钥匙串中，也可以用口令保护，每次启动时输入（忘记口令将无法恢复聊天记录）。</translation>
    </message>
    <message>
        <source>fits on your GPU</source>
        <translation>可完全放入显卡</translation>
    </message>
    <message>
        <source>installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <source>no GPU</source>
        <translation>无显卡</translation>
    </message>
    <message>
        <source>partly on GPU, slower</source>
        <translation>部分在显卡上，较慢</translation>
    </message>
    <message>
        <source>Enter the passphrase that protects your chat history:</source>
        <translation>请输入保护聊天记录的口令：</translation>
    </message>
    <message>
        <source>%s s left</source>
        <translation>剩余 %s 秒</translation>
    </message>
    <message>
        <source>CPU, beside the chat model</source>
        <translation>CPU 运行（小）</translation>
    </message>
    <message>
        <source>CPU, its own process while voice arrives</source>
        <translation>CPU 运行（收到语音时单独进程）</translation>
    </message>
    <message>
        <source>speech (voice messages)</source>
        <translation>语音识别（语音消息）</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <source>Delete file</source>
        <translation>删除文件</translation>
    </message>
    <message>
        <source>Deleted %s</source>
        <translation>已删除 %s</translation>
    </message>
    <message>
        <source>Download / resume</source>
        <translation>下载 / 继续</translation>
    </message>
    <message>
        <source>Download cancelled; the partial file was deleted.</source>
        <translation>下载已取消，未完成的文件已删除。</translation>
    </message>
    <message>
        <source>Download from</source>
        <translation>下载来源</translation>
    </message>
    <message>
        <source>Downloaded and verified (sha256 from %s).</source>
        <translation>已下载并校验（sha256 来自 %s）。</translation>
    </message>
    <message>
        <source>Downloaded, NOT verified: it matches only the sha256 its own server (%s) published.</source>
        <translation>已下载，未校验：只与下载服务器（%s）自己公布的 sha256 一致。</translation>
    </message>
    <message>
        <source>Downloaded, NOT verified: no sha256 to check; only its size was checked.</source>
        <translation>已下载，未校验：没有可核对的 sha256，只核对了大小。</translation>
    </message>
    <message>
        <source>Downloaded, NOT verified: neither a sha256 nor its size could be checked; it may be incomplete.</source>
        <translation>已下载，未校验：既没有 sha256 也无法核对大小，文件可能不完整。</translation>
    </message>
    <message>
        <source>Downloading %s…</source>
        <translation>正在下载 %s…</translation>
    </message>
    <message>
        <source>Hugging Face</source>
        <translation>Hugging Face</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>ModelScope</source>
        <translation>魔搭 ModelScope</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>On this PC</source>
        <translation>本机运行</translation>
    </message>
    <message>
        <source>Paused: Download / resume continues where it stopped, also after a restart.</source>
        <translation>已暂停：点“下载 / 继续”会从断点继续，重启后也可以。</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>使用此模型</translation>
    </message>
    <message>
        <source>chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>embedding (knowledge base)</source>
        <translation>向量（知识库）</translation>
    </message>
    <message>
        <source>in use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <source>not installed</source>
        <translation>未安装</translation>
    </message>
    <message>
        <source>paused at %s MB</source>
        <translation>已暂停于 %s MB</translation>
    </message>
    <message>
        <source>NOT verified</source>
        <translation>未校验</translation>
    </message>
    <message>
        <source>Example questions</source>
        <translation>客户问法（例句）</translation>
    </message>
    <message>
        <source>FAQ rule %d answers, exactly as you wrote it</source>
        <translation>常见问题规则 %d 回答，按你写的原话</translation>
    </message>
    <message>
        <source>The knowledge base's passages answer, quoted as written</source>
        <translation>知识库资料回答，原文引用</translation>
    </message>
    <message>
        <source>The model writes the answer</source>
        <translation>由模型写回答</translation>
    </message>
    <message>
        <source>Your fallback text answers</source>
        <translation>发送你的兜底话术</translation>
    </message>
    <message>
        <source>Unsure: a draft waits for you (contacts in auto mode)</source>
        <translation>没有把握：生成草稿等你处理（自动回复的联系人）</translation>
    </message>
    <message>
        <source>Candidate</source>
        <translation>候选</translation>
    </message>
    <message>
        <source>Matched</source>
        <translation>匹配</translation>
    </message>
    <message>
        <source>Answer or passage</source>
        <translation>回答或资料</translation>
    </message>
    <message>
        <source>Try it</source>
        <translation>试一试</translation>
    </message>
    <message>
        <source>A customer's question, e.g. “Can I still return it once it's opened?”</source>
        <translation>像客户一样提问，例如「拆开了还能退吗？」</translation>
    </message>
    <message>
        <source>The customer gets: %s</source>
        <translation>客户会收到：%s</translation>
    </message>
    <message>
        <source>Rule %d</source>
        <translation>规则 %d</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <source>The knowledge base already holds a different file of the same name: %s. Replace it with the new one?</source>
        <translation>知识库里已有同名但内容不同的文件：%s。要用新文件替换吗？</translation>
    </message>
    <message>
        <source>A rule answers a question at least this alike (0-1)</source>
        <translation>问题与规则例句至少这么相似才由规则回答（0-1）</translation>
    </message>
    <message>
        <source>Draft sent</source>
        <translation>草稿已发送</translation>
    </message>
    <message>
        <source>Draft edited and sent</source>
        <translation>草稿改后发送</translation>
    </message>
    <message>
        <source>Draft rejected</source>
        <translation>草稿已放弃</translation>
    </message>
    <message>
        <source>wxbot, automatically</source>
        <translation>wxbot 自动</translation>
    </message>
    <message>
        <source>risk signal</source>
        <translation>风险信号</translation>
    </message>
    <message>
        <source>WeChat</source>
        <translation>微信</translation>
    </message>
    <message>
        <source>Auto-reply running (contacts on: %d)</source>
        <translation>自动回复运行中（%d 位联系人开启）</translation>
    </message>
    <message>
        <source>No contact is on: wxbot answers nobody yet. Choose whom it answers: select contacts and set Auto or Drafts, or choose what new contacts get.</source>
        <translation>还没有开启任何联系人：wxbot 现在不会回复任何人。请选择要回复谁：选中联系人后设为“自动”或“草稿”，或设置新联系人的默认方式。</translation>
    </message>
    <message>
        <source>Choose contacts</source>
        <translation>选择联系人</translation>
    </message>
    <message>
        <source>Too short: at least %d characters</source>
        <translation>太短：至少 %d 个字符</translation>
    </message>
    <message>
        <source>Strength: weak</source>
        <translation>强度：弱</translation>
    </message>
    <message>
        <source>Strength: fair</source>
        <translation>强度：中</translation>
    </message>
    <message>
        <source>Strength: strong</source>
        <translation>强度：强</translation>
    </message>
    <message>
        <source>Type the passphrase.</source>
        <translation>请输入口令。</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>System keychain (not available on this PC)</source>
        <translation>系统钥匙串（此电脑上不可用）</translation>
    </message>
    <message>
        <source>A passphrase I choose (recommended here)</source>
        <translation>我自己设定的口令（此电脑上推荐）</translation>
    </message>
    <message>
        <source>No working system keychain was found on this PC (a test entry could not be written and read back), so the key is protected by a passphrase.</source>
        <translation>此电脑上没有可用的系统钥匙串（试写的测试条目无法写入并读回），所以密钥由口令保护。</translation>
    </message>
    <message>
        <source>No system keychain is available. Choose a passphrase that protects your chat history; you will type it at every start:</source>
        <translation>没有可用的系统钥匙串。请设定一个保护聊天记录的口令，以后每次启动时输入：</translation>
    </message>
    <message>
        <source>Enter passphrase</source>
        <translation>输入口令</translation>
    </message>
    <message>
        <source>(a file from disk: %s)</source>
        <translation>（电脑上的文件：%s）</translation>
    </message>
    <message>
        <source>Already on this PC.</source>
        <translation>此电脑上已有。</translation>
    </message>
    <message>
        <source>Chosen for what this PC has (%s). Other models are on the Models page.</source>
        <translation>按这台电脑的配置（%s）挑选。其他模型在“模型”页。</translation>
    </message>
    <message>
        <source>Chosen: %s</source>
        <translation>已选：%s</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Downloaded and verified.</source>
        <translation>已下载并校验。</translation>
    </message>
    <message>
        <source>Downloaded, but not verified: no source published a checksum for it.</source>
        <translation>已下载，但未校验：没有下载源公布它的校验值。</translation>
    </message>
    <message>
        <source>Downloading from %s…</source>
        <translation>正在从%s下载…</translation>
    </message>
    <message>
        <source>Hugging Face mirror</source>
        <translation>Hugging Face 镜像</translation>
    </message>
    <message>
        <source>In use: %s</source>
        <translation>正在使用：%s</translation>
    </message>
    <message>
        <source>In use: no chat model yet.</source>
        <translation>正在使用：还没有对话模型。</translation>
    </message>
    <message>
        <source>Model: %s (%s)</source>
        <translation>模型：%s（%s）</translation>
    </message>
    <message>
        <source>Models already on this PC:</source>
        <translation>此电脑上已有的模型：</translation>
    </message>
    <message>
        <source>Open the Models page</source>
        <translation>打开“模型”页</translation>
    </message>
    <message>
        <source>Recommended for this PC</source>
        <translation>推荐给这台电脑</translation>
    </message>
    <message>
        <source>Stopped. Download again continues where it stopped.</source>
        <translation>已停止。再次下载会从断点继续。</translation>
    </message>
    <message>
        <source>The model in use has only %s parameters: too small to answer customers (its answers are often wrong). Use it to try wxbot; for customers, download the model recommended for this PC.</source>
        <translation>正在使用的模型只有 %s 参数：太小，不适合回复顾客（回答常常出错）。可以用它试用 wxbot；回复顾客请下载为这台电脑推荐的模型。</translation>
    </message>
    <message>
        <source>How many of the model's layers run on the GPU: automatic (as many as its free memory holds) or a number (0 = CPU only).</source>
        <translation>模型有多少层放在 GPU 上运行：自动（按显卡的空闲显存放尽量多的层），或一个数字（0 = 只用 CPU）。</translation>
    </message>
    <message>
        <source>How much text the model reads at once (its context window), in tokens.</source>
        <translation>模型一次能读多少文字（上下文长度），单位是 token。</translation>
    </message>
    <message>
        <source>How many contacts' replies are written at once (one pass of the model writes them together); 0 = automatic: 4 on a CPU, 8 on a GPU, fewer when they do not fit.</source>
        <translation>同时为几位联系人写回复（模型一次运算一起写出）；0 = 自动：CPU 上 4 个，GPU 上 8 个，放不下时更少。</translation>
    </message>
    <message>
        <source>The longest answer the model may write, in tokens, its thinking included.</source>
        <translation>模型一次回答最多写多少 token，包括它的思考过程。</translation>
    </message>
    <message>
        <source>How freely the model words its answers (DeepSeek-R1: 0.5 to 0.7, 0.6 recommended; lower repeats itself less).</source>
        <translation>模型措辞的自由程度（DeepSeek-R1 建议 0.5 到 0.7，推荐 0.6；低一些更少重复）。</translation>
    </message>
    <message>
        <source>Who the assistant is and how it answers, in your words.</source>
        <translation>用你自己的话写：助理是谁、怎样回答。</translation>
    </message>
    <message>
        <source>Put before every automatic reply, so contacts know it is the assistant.</source>
        <translation>加在每条自动回复前面，让联系人知道这是助理在回复。</translation>
    </message>
    <message>
        <source>Tell me about each new draft in File Transfer Helper, to answer it from the phone with #ok N, #no N or #edit N.</source>
        <translation>每有新草稿就在“文件传输助手”里告诉我，可在手机上用 #ok N、#no N 或 #edit N 处理。</translation>
    </message>
    <message>
        <source>Once the knowledge base has documents: an automatic reply the assistant is unsure of becomes a draft for you instead of being sent or dropped.</source>
        <translation>知识库里有文档后：助理没把握的自动回复会变成草稿交给你，而不是直接发出或丢弃。</translation>
    </message>
    <message>
        <source>A draft not sent within this time expires and its messages count as missed; 0 = never.</source>
        <translation>草稿超过这个时间没发送就过期，相应消息记为漏回；0 = 永不过期。</translation>
    </message>
    <message>
        <source>How many recent messages with a contact the model reads before answering.</source>
        <translation>回答前模型会读和这位联系人最近的多少条消息。</translation>
    </message>
    <message>
        <source>The reply to images, voice and files; empty = no reply.</source>
        <translation>对图片、语音、文件的回复；留空 = 不回复。</translation>
    </message>
    <message>
        <source>How alike a customer's question must be to one of a rule's example questions for that rule to answer (0-1); the closest rule or passage answers.</source>
        <translation>客户的问题与规则的某个例句至少这么相似，才由这条规则回答（0-1）；由最接近的规则或资料段落回答。</translation>
    </message>
    <message>
        <source>light; fair Chinese</source>
        <translation>轻量；中文一般</translation>
    </message>
    <message>
        <source>better Chinese</source>
        <translation>中文较好</translation>
    </message>
    <message>
        <source>good Chinese; slow on a CPU</source>
        <translation>中文好；CPU 上慢</translation>
    </message>
    <message>
        <source>Whether DeepSeek-R1 thinks before it answers: off (answers at once, best for customers waiting in a chat), brief (thinks within the budget below) or full (thinks as long as it likes: slow on a CPU).</source>
        <translation>DeepSeek-R1 回答前是否先思考：关闭（立即回答，最适合在聊天里等待的客户）、简短（在下面的预算内思考）或完整（想多久都行：在 CPU 上很慢）。</translation>
    </message>
    <message>
        <source>How much the model may think in brief mode, in tokens; then it answers.</source>
        <translation>简短模式下模型最多思考多少 token，之后就回答。</translation>
    </message>
    <message>
        <source>Hours when the assistant answers, e.g. 09:00-21:00 (may cross midnight); empty = always.</source>
        <translation>助理回复的时段，例如 09:00-21:00（可跨午夜）；留空 = 全天。</translation>
    </message>
    <message>
        <source>Sent once outside service hours; empty = nothing.</source>
        <translation>非营业时间发送一次；留空 = 不发送。</translation>
    </message>
    <message>
        <source>Answer a question the knowledge base holds with its best passages exactly as written (instant, numbers as in the file); 0 = the model answers from them.</source>
        <translation>知识库里有答案的问题，直接用最相关的几段原文回答（即时，数字与文件一致）；0 = 由模型根据这些段落回答。</translation>
    </message>
    <message>
        <source>Serve Prometheus metrics on 127.0.0.1 at this port (no contacts or text in them); 0 = off.</source>
        <translation>在 127.0.0.1 的这个端口提供 Prometheus 监控指标（不含联系人和消息内容）；0 = 关闭。</translation>
    </message>
    <message>
        <source>The hour (0-23) at which a summary of the day goes to File Transfer Helper; -1 = off.</source>
        <translation>每天几点（0-23）把当天小结发到“文件传输助手”；-1 = 关闭。</translation>
    </message>
    <message>
        <source>Sent exactly as written when a customer asks about price, stock, shipping, refunds or invoices and the knowledge base has nothing on it; empty = no reply.</source>
        <translation>顾客问价格、库存、发货、退款或发票，而知识库里没有相关内容时，原样发送这段话；留空 = 不回复。</translation>
    </message>
    <message>
        <source>The shortest time between two replies to one contact, in seconds.</source>
        <translation>给同一位联系人两次回复之间至少间隔多少秒。</translation>
    </message>
    <message>
        <source>At most this many replies a minute, all contacts together.</source>
        <translation>所有联系人合计，每分钟最多回复多少条。</translation>
    </message>
    <message>
        <source>At most this many replies a day, all contacts together.</source>
        <translation>所有联系人合计，每天最多回复多少条。</translation>
    </message>
    <message>
        <source>A pause before each reply, as a person typing would take, in seconds.</source>
        <translation>每次回复前像真人打字那样停顿的时间，单位秒。</translation>
    </message>
    <message>
        <source>Extra pause per character of the reply, in seconds.</source>
        <translation>回复每多一个字，额外停顿的时间，单位秒。</translation>
    </message>
    <message>
        <source>Messages a contact sends in quick succession within this time get one reply.</source>
        <translation>联系人在这段时间内连续发来的几条消息只回复一次。</translation>
    </message>
    <message>
        <source>After you write to a contact yourself, the assistant leaves them alone this long.</source>
        <translation>你亲自给联系人发消息后，助理在这段时间内不再回复这位联系人。</translation>
    </message>
    <message>
        <source>History older than this many days is deleted; 0 = keep everything.</source>
        <translation>删除多少天以前的聊天记录；0 = 全部保留。</translation>
    </message>
    <message>
        <source>Which engine answers: the model file on this PC, or a model server on your network or online (llama-server, vLLM, Ollama, LM Studio, the DeepSeek API).</source>
        <translation>由哪个引擎回答：这台电脑上的模型文件，或局域网、网上的模型服务器（llama-server、vLLM、Ollama、LM Studio、DeepSeek API）。</translation>
    </message>
    <message>
        <source>The server's address, usually ending in /v1, e.g. http://192.168.1.20:8080/v1.</source>
        <translation>服务器地址，通常以 /v1 结尾，例如 http://192.168.1.20:8080/v1。</translation>
    </message>
    <message>
        <source>The model's name on that server; empty = the first model the server lists.</source>
        <translation>服务器上的模型名称；留空 = 服务器列出的第一个模型。</translation>
    </message>
    <message>
        <source>The longest wait for one reply from the server, in seconds.</source>
        <translation>等待服务器一次回复的最长时间，单位秒。</translation>
    </message>
    <message>
        <source>Chinese, light</source>
        <translation>中文，轻量</translation>
    </message>
    <message>
        <source>Chinese, more accurate</source>
        <translation>中文，更准</translation>
    </message>
    <message>
        <source>many languages</source>
        <translation>多语言</translation>
    </message>
    <message>
        <source>%s unchanged</source>
        <translation>%s 未变</translation>
    </message>
    <message>
        <source>added %s</source>
        <translation>已添加 %s</translation>
    </message>
    <message>
        <source>another setting</source>
        <translation>其他设置</translation>
    </message>
    <message>
        <source>imported %s again (it had changed)</source>
        <translation>已重新导入 %s（文件有改动）</translation>
    </message>
    <message>
        <source>removed %s</source>
        <translation>已删除 %s</translation>
    </message>
    <message>
        <source>the operation log: %s</source>
        <translation>操作日志：%s</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>No data yet</source>
        <translation>还没有数据</translation>
    </message>
    <message>
        <source>A draft answers it: see below</source>
        <translation>已写好草稿：见下方</translation>
    </message>
    <message>
        <source>AI</source>
        <translation>AI</translation>
    </message>
    <message>
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Enter 发送</translation>
    </message>
    <message>
        <source>Ctrl+Enter in the draft</source>
        <translation>在草稿里按 Ctrl+Enter 发送</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>Draft rejected: it will not be sent.</source>
        <translation>草稿已放弃，不会发送。</translation>
    </message>
    <message>
        <source>Knowledge-base passages this draft used: %s</source>
        <translation>这条草稿用到的知识库内容：%s</translation>
    </message>
    <message>
        <source>Not sent yet: send it as written, edit it, or reject it</source>
        <translation>尚未发送：可以直接发送、修改后发送或放弃</translation>
    </message>
    <message>
        <source>Not sent: %s</source>
        <translation>没有发送：%s</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>店主</translation>
    </message>
    <message>
        <source>Preset text</source>
        <translation>预设话术</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>放弃</translation>
    </message>
    <message>
        <source>Send draft</source>
        <translation>发送草稿</translation>
    </message>
    <message>
        <source>The message is too long (%d characters, at most %d): nothing was sent.</source>
        <translation>消息太长（%d 字，最多 %d 字），没有发送。</translation>
    </message>
    <message>
        <source>Type a message first: nothing was sent.</source>
        <translation>请先输入消息，没有发送。</translation>
    </message>
    <message>
        <source>%d customers waiting for you</source>
        <translation>%d 位客户等你处理</translation>
    </message>
    <message>
        <source>%s is waiting for you: the assistant stopped answering them</source>
        <translation>%s 在等你处理：助手已停止自动回复此人</translation>
    </message>
    <message>
        <source>Contacts (%d waiting)</source>
        <translation>联系人 (%d 等店主)</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>处理完</translation>
    </message>
    <message>
        <source>Done: the selected customers waiting for you get automatic replies again</source>
        <translation>处理完：选中的等你处理的客户恢复自动回复</translation>
    </message>
    <message>
        <source>Draft #%d kept.</source>
        <translation>草稿 #%d 已保留。</translation>
    </message>
    <message>
        <source>Draft #%d will be rejected in a few seconds.</source>
        <translation>草稿 #%d 将在几秒后放弃。</translation>
    </message>
    <message>
        <source>Held because: draft mode (you approve every reply)</source>
        <translation>原因：草稿模式（每条回复由你批准）</translation>
    </message>
    <message>
        <source>Held because: no passage found in the knowledge base</source>
        <translation>原因：知识库里没有找到答案</translation>
    </message>
    <message>
        <source>Held because: the customer is waiting for you (complaint, refund, asked for a person)</source>
        <translation>原因：客户在等你处理（投诉、退款、要找人工）</translation>
    </message>
    <message>
        <source>Held because: the guard stopped the model&apos;s reply</source>
        <translation>原因：模型回复异常，已被拦下</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等你处理</translation>
    </message>
    <message>
        <source>Waiting for you</source>
        <translation>等你处理</translation>
    </message>
    <message>
        <source>Write to this contact as yourself (Ctrl+Enter sends). Auto-reply pauses for them, as when you write from the phone.</source>
        <translation>以你自己的身份回复（Ctrl+Enter 发送）。和在手机上回复一样，会暂停对这位联系人的自动回复。</translation>
    </message>
    <message>
        <source>Words that mean the same, separated by spaces, e.g. diapers nappies</source>
        <translation>意思相同的词，用空格隔开，例如：尿不湿 纸尿裤</translation>
    </message>
    <message>
        <source>Add synonyms</source>
        <translation>添加同义词</translation>
    </message>
    <message>
        <source>Remove synonyms</source>
        <translation>删除同义词</translation>
    </message>
    <message>
        <source>Synonyms</source>
        <translation>同义词</translation>
    </message>
    <message>
        <source>Waiting for the owner</source>
        <translation>等店主</translation>
    </message>
    <message>
        <source>Confirmed: the customer thanked or confirmed after the assistant&apos;s answer. Assumed: no follow-up within 24 hours. Not resolved: handed to you, held as a draft, the fallback text, or the customer asked again. Greetings and thanks alone never count.</source>
        <translation>确认解决：助手回答后客户道谢或确认。推定解决：24 小时内客户没有再问。未解决：转给你处理、留作草稿、兜底话术，或客户又问了一次。只有问候或道谢的对话从不计入。</translation>
    </message>
    <message>
        <source>Nobody is waiting for you</source>
        <translation>没有客户在等你处理</translation>
    </message>
    <message>
        <source>Resolved %d%% of %d conversations: %d confirmed, %d assumed, %d not resolved</source>
        <translation>已解决 %d%%（共 %d 个对话）：确认 %d，推定 %d，未解决 %d</translation>
    </message>
    <message>
        <source>Time to first character: no data yet</source>
        <translation>首字时间：还没有数据</translation>
    </message>
    <message>
        <source>Time to first character: median %s, 90%% within %s (last %d model replies)</source>
        <translation>首字时间：中位数 %s，90%% 在 %s 以内（模型最近 %d 条回复）</translation>
    </message>
    <message>
        <source>How long a customer sees nothing before the first character of a reply the local model writes: reading the conversation, other customers' replies ahead of it and the model's thinking all delay it. DeepSeek-R1 thinks before every answer; set Reasoning to off or brief in Settings to shorten the wait. Counted over the model's last replies since wxbot started.</source>
        <translation>客户看到本地模型回复的第一个字之前要等多久：读对话、排在前面的其他客户的回复、模型的思考都会拖慢它。DeepSeek-R1 每次回答前都要思考；在“设置”里把“推理”设为“关闭”或“简短”可以缩短等待。按 wxbot 启动以来模型最近的回复计算。</translation>
    </message>
    <message>
        <source>Resolved: no conversations to count yet</source>
        <translation>已解决：还没有可计入的对话</translation>
    </message>
    <message>
        <source>Waiting for you: %d customers</source>
        <translation>等你处理 %d 位客户</translation>
    </message>
    <message>
        <source>%d× %s (%s)</source>
        <translation>%d 次 %s（%s）</translation>
    </message>
    <message>
        <source>Knowledge gaps</source>
        <translation>知识缺口</translation>
    </message>
    <message>
        <source>No gaps: the assistant answered everything itself</source>
        <translation>没有知识缺口：助手都自己答上了</translation>
    </message>
    <message>
        <source>Questions the assistant could not answer (last 30 days)</source>
        <translation>助手答不了的问题（最近 30 天）</translation>
    </message>
    <message>
        <source>The customers asked:</source>
        <translation>客户问的是：</translation>
    </message>
    <message>
        <source>Write the answer once: the assistant answers this question with it from now on</source>
        <translation>写一次答案：以后同样的问题助手就这样回答</translation>
    </message>
    <message>
        <source>Your answer:</source>
        <translation>你的答案：</translation>
    </message>
    <message>
        <source>got the fallback text</source>
        <translation>回了兜底话术</translation>
    </message>
    <message>
        <source>held as a draft</source>
        <translation>留作草稿</translation>
    </message>
    <message>
        <source>you corrected the draft</source>
        <translation>你改过草稿</translation>
    </message>
    <message>
        <source>Put the reply prefix before drafts I edited too</source>
        <translation>我改过的草稿也加回复前缀</translation>
    </message>
    <message>
        <source>Holding line while a draft waits</source>
        <translation>草稿待确认时的稍候话术</translation>
    </message>
    <message>
        <source>Holding line when handed to me</source>
        <translation>转给我处理时的稍候话术</translation>
    </message>
    <message>
        <source>empty = silence</source>
        <translation>留空 = 不发</translation>
    </message>
    <message>
        <source>empty = only I am told</source>
        <translation>留空 = 只通知我</translation>
    </message>
    <message>
        <source>Sent at once, exactly as written, when a customer's question becomes a draft because the assistant is unsure (once per draft; never to draft-mode contacts); empty = silence.</source>
        <translation>助手没有把握、客户的问题变成草稿时，立即按原话发送（每条草稿一次；草稿模式的联系人不发）；留空 = 不发。</translation>
    </message>
    <message>
        <source>Sent once, exactly as written, when a customer complains, demands a refund or asks for a person: they then wait for you, with no automatic replies, until you write to them or press Done; empty = only you are told.</source>
        <translation>客户投诉、要求退款或要找人工时按原话发送一次：之后客户等你处理，不再自动回复，直到你给他发消息或点「处理完」；留空 = 只通知你。</translation>
    </message>
    <message>
        <source>Put the reply prefix before a draft you edited too (off: your own words go out without it).</source>
        <translation>你改过的草稿也加回复前缀（关闭：你自己的话不加前缀发出）。</translation>
    </message>
    <message>
        <source>Account safety</source>
        <translation>账号安全</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>高级</translation>
    </message>
    <message>
        <source>Business hours</source>
        <translation>营业时间</translation>
    </message>
    <message>
        <source>How replies use the shop's documents; add or remove them on the Knowledge base page.</source>
        <translation>回复如何使用店里的资料；资料在「知识库」页添加或删除。</translation>
    </message>
    <message>
        <source>How to reply</source>
        <translation>回复方式</translation>
    </message>
    <message>
        <source>The model file that answers on this PC: one found in the models folder, a .gguf from anywhere (Browse…), or automatic (the first one found).</source>
        <translation>在这台电脑上回答的模型文件：模型文件夹里找到的、任意位置的 .gguf（浏览…），或自动（找到的第一个）。</translation>
    </message>
    <message>
        <source>The window's language; it changes after a restart.</source>
        <translation>窗口的语言；重启后生效。</translation>
    </message>
    <message>
        <source>This app</source>
        <translation>本程序</translation>
    </message>
    <message>
        <source>What a contact seen for the first time gets: no replies, drafts you approve, or automatic replies. Groups always start off.</source>
        <translation>第一次出现的联系人如何处理：不回复、由您批准的草稿，或自动回复。群聊一开始总是关闭。</translation>
    </message>
    <message>
        <source>Your answers to common questions, sent exactly as you wrote them, without the model.</source>
        <translation>您对常见问题的回答，不经模型，按您写的原样发送。</translation>
    </message>
    <message>
        <source>Drafts I rewrote</source>
        <translation>我改写的草稿</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>More</source>
        <translation>展开</translation>
    </message>
    <message>
        <source>Less</source>
        <translation>收起</translation>
    </message>
</context>
</TS>
